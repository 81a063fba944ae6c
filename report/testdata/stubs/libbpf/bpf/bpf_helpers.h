/* Test stand-in for libbpf's bpf_helpers.h: SEC and the helpers the
   generated programs call, with their UAPI helper ids (include/uapi/linux/bpf.h). */
#define SEC(name) __attribute__((section(name), used))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
static long (*const bpf_get_func_arg)(void *ctx, __u32 n, __u64 *value) = (void *)183;
static long (*const bpf_get_func_ret)(void *ctx, __u64 *value) = (void *)184;
static long (*const bpf_get_func_arg_cnt)(void *ctx) = (void *)185;
