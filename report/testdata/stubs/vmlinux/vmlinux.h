/* Test stand-in for the vmlinux.h that bpftool generates: only the types
   the generated programs use. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
/* What libbpf's bpf_helper_defs.h needs beyond these (a real vmlinux.h has
   them, and every struct it names). */
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;
