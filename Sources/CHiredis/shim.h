#ifndef FLOWCRAFT_CHIREDIS_SHIM_H
#define FLOWCRAFT_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
