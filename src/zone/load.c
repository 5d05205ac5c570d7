#include "zone/load.h"
