#include "zone/version.h"
