typedef unsigned long long u64;
struct bpf_testmod_struct_arg_4 { u64 a; int b; };
int bpf_testmod_test_struct_arg_8(u64 a, void *b, short c, int d, void *e, struct bpf_testmod_struct_arg_4 f, int g);
