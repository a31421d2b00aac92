#ifndef FLOWCRAFT_CSQLITE_SHIM_H
#define FLOWCRAFT_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
