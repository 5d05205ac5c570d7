#ifndef NIM_DISPATCH_H
#define NIM_DISPATCH_H
#endif
