long bpf_testmod_test_int128_arg(__int128 a, int b, long c);
