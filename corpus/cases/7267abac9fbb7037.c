typedef unsigned long long u64;
struct bpf_testmod_struct_arg_5 { char a; short b; int c; long d; };
int bpf_testmod_test_struct_arg_9(u64 a, void *b, short c, int d, void *e, char f, short g, struct bpf_testmod_struct_arg_5 h, long i);
