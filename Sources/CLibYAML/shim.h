#ifndef FLOWCRAFT_CLIBYAML_SHIM_H
#define FLOWCRAFT_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
