#include "auth/answer.h"
