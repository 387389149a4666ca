// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Its cblas.h also declares
// openblas_set_num_threads / openblas_get_num_threads, which Tensors uses to keep
// OpenBLAS and our own parallel loops on one thread budget.
#include <cblas.h>
