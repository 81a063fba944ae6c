typedef unsigned long long u64;
typedef unsigned long long __u64;
int bpf_testmod_fentry_test11(u64 a, void *b, short c, int d, void *e, char f, int g, unsigned int h, long i, __u64 j, unsigned long k);
