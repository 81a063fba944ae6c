struct bpf_testmod_struct_arg_2 { long a; long b; };
union bpf_testmod_union_arg_2 { int a; long b; struct bpf_testmod_struct_arg_2 arg; };
int bpf_testmod_test_union_arg_2(int a, union bpf_testmod_union_arg_2 b);
