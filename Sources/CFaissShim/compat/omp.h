// Minimal OpenMP declarations for compiling against FAISS headers.
// faiss/impl/HNSW.h includes <omp.h>, but the Swift toolchain's clang ships none (GCC's lives in a private
// directory that clashes with clang's own intrinsics headers). The layouts match libgomp, which is what
// libfaiss.a was built against and what we link.
#ifndef GLIMPSE_COMPAT_OMP_H
#define GLIMPSE_COMPAT_OMP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    unsigned char _x[4] __attribute__((__aligned__(4)));
} omp_lock_t;

typedef struct {
    unsigned char _x[8 + sizeof(void *)] __attribute__((__aligned__(sizeof(void *))));
} omp_nest_lock_t;

void omp_init_lock(omp_lock_t *);
void omp_destroy_lock(omp_lock_t *);
void omp_set_lock(omp_lock_t *);
void omp_unset_lock(omp_lock_t *);
int omp_get_max_threads(void);
int omp_get_num_threads(void);
int omp_get_thread_num(void);
void omp_set_num_threads(int);

#ifdef __cplusplus
}
#endif

#endif
