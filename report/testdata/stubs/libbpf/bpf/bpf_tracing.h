/* Test stand-in for libbpf's bpf_tracing.h: BPF_PROG2 as its comment
   documents it (type, name pairs; an argument of 1, 2, 4 or 8 bytes takes
   one u64 ctx slot, one of 16 bytes two; sizes other than these are not
   supported), written for the compile test, not copied. Up to 13 pairs
   (12 arguments and ret). */
#define ___tf_slots(t) (sizeof(t) == 16 ? 2 : 1)
#define ___tf_size_ok(t) _Static_assert(sizeof(t) == 1 || sizeof(t) == 2 || sizeof(t) == 4 || sizeof(t) == 8 || sizeof(t) == 16, "BPF_PROG2: unsupported argument size")
#define ___tf_get(t, n) ({ union { unsigned long long z[2]; t x; } ___t = { .z = { ctx[n], sizeof(t) == 16 ? ctx[(n) + 1] : 0 } }; ___t.x; })

#define ___tf_nth(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, N, ...) N
#define ___tf_npairs(...) ___tf_nth(__VA_ARGS__, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0)
#define ___tf_cat(a, b) ___tf_cat_(a, b)
#define ___tf_cat_(a, b) a##b

/* Declarations: , t x for each pair. */
#define ___tf_decl0()
#define ___tf_decl1(t, x) , t x
#define ___tf_decl2(t, x, ...) , t x ___tf_decl1(__VA_ARGS__)
#define ___tf_decl3(t, x, ...) , t x ___tf_decl2(__VA_ARGS__)
#define ___tf_decl4(t, x, ...) , t x ___tf_decl3(__VA_ARGS__)
#define ___tf_decl5(t, x, ...) , t x ___tf_decl4(__VA_ARGS__)
#define ___tf_decl6(t, x, ...) , t x ___tf_decl5(__VA_ARGS__)
#define ___tf_decl7(t, x, ...) , t x ___tf_decl6(__VA_ARGS__)
#define ___tf_decl8(t, x, ...) , t x ___tf_decl7(__VA_ARGS__)
#define ___tf_decl9(t, x, ...) , t x ___tf_decl8(__VA_ARGS__)
#define ___tf_decl10(t, x, ...) , t x ___tf_decl9(__VA_ARGS__)
#define ___tf_decl11(t, x, ...) , t x ___tf_decl10(__VA_ARGS__)
#define ___tf_decl12(t, x, ...) , t x ___tf_decl11(__VA_ARGS__)
#define ___tf_decl13(t, x, ...) , t x ___tf_decl12(__VA_ARGS__)

/* Arguments: each pair read from slot n, n advancing by its slot count. */
#define ___tf_arg0(n)
#define ___tf_arg1(n, t, x) , ___tf_get(t, n)
#define ___tf_arg2(n, t, x, ...) , ___tf_get(t, n) ___tf_arg1((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg3(n, t, x, ...) , ___tf_get(t, n) ___tf_arg2((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg4(n, t, x, ...) , ___tf_get(t, n) ___tf_arg3((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg5(n, t, x, ...) , ___tf_get(t, n) ___tf_arg4((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg6(n, t, x, ...) , ___tf_get(t, n) ___tf_arg5((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg7(n, t, x, ...) , ___tf_get(t, n) ___tf_arg6((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg8(n, t, x, ...) , ___tf_get(t, n) ___tf_arg7((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg9(n, t, x, ...) , ___tf_get(t, n) ___tf_arg8((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg10(n, t, x, ...) , ___tf_get(t, n) ___tf_arg9((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg11(n, t, x, ...) , ___tf_get(t, n) ___tf_arg10((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg12(n, t, x, ...) , ___tf_get(t, n) ___tf_arg11((n) + ___tf_slots(t), __VA_ARGS__)
#define ___tf_arg13(n, t, x, ...) , ___tf_get(t, n) ___tf_arg12((n) + ___tf_slots(t), __VA_ARGS__)

#define BPF_PROG2(name, ...)								\
name(unsigned long long *ctx);								\
static __always_inline int ____##name(unsigned long long *ctx				\
	___tf_cat(___tf_decl, ___tf_npairs(__VA_ARGS__))(__VA_ARGS__));		\
int name(unsigned long long *ctx)							\
{											\
	return ____##name(ctx ___tf_cat(___tf_arg, ___tf_npairs(__VA_ARGS__))(0, __VA_ARGS__)); \
}											\
static __always_inline int ____##name(unsigned long long *ctx				\
	___tf_cat(___tf_decl, ___tf_npairs(__VA_ARGS__))(__VA_ARGS__))
