/* Test stand-in for what test_kmods/bpf_testmod.c has in scope: the kernel
   types and attributes the generated function uses. */
#define noinline __attribute__((noinline))
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long long __u64;
long bpf_testmod_test_struct_arg_result;
