struct bpf_testmod_struct_arg_2 { long a; long b; };
int bpf_testmod_test_struct_arg_1(struct bpf_testmod_struct_arg_2 a, int b, int c);
