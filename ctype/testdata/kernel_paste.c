/*
 * Pasted from kernel headers: fixed-width typedefs, __packed and
 * __aligned(N) macros, annotations, const and comments.
 */
struct bpf_testmod_struct_arg_1 {
	int a;
};

struct bpf_testmod_struct_arg_2 {
	long a;
	long b;
};

struct bpf_testmod_struct_arg_5 {
	char a;
	short b;
	int c;
	long d;
} __packed;

struct ethhdr_like {
	u8	h_dest[6];	/* destination eth addr	*/
	u8	h_source[6];	/* source ether addr	*/
	__u16	h_proto;	/* packet type ID field	*/
} __attribute__((packed));

struct aligned_pair {
	__aligned_u64 cookie;
	u32 flags __aligned(16);
	s8 tail;
};

noinline notrace int
bpf_testmod_test_struct_arg_9(u64 a, void *b, short c, int d, void *e,
			      struct bpf_testmod_struct_arg_1 f,
			      const struct bpf_testmod_struct_arg_5 g,
			      struct aligned_pair h, struct ethhdr_like *__user i,
			      bool j, s64 k, struct bpf_testmod_struct_arg_2 l);
