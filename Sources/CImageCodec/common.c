#include "CImageCodec.h"
#include <stdlib.h>

void cic_free(void *pointer) { free(pointer); }
