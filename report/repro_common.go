package report

// C fragments shared by the arm64 and x86-64 repro.c programs (repro.go,
// repro_x86.go): the parts that do not depend on the architecture.

// reproScrubC: tf_scrub clears the stack before each call.
const reproScrubC = `/* Clears the stack the next call uses, so bytes left by an earlier run
   cannot pass for this run's arguments. */
static void __attribute__((noinline)) tf_scrub(void)
{
	unsigned char b[4096];
	__builtin_memset(b, 0, sizeof b);
	__asm__ volatile("" :: "r"(b) : "memory");
}
`

// reproOwnerC: tf_owner finds the argument byte a location held.
const reproOwnerC = `/* The argument byte l held in every run, or -1. */
static int tf_owner(struct tf_loc l)
{
	for (int k = 0; k < TF_NBYTES; k++)
		if (tf_holds(l, k))
			return k;
	return -1;
}
`

// reproPrintOwnersC: tf_print_owners prints argument bytes folded.
const reproPrintOwnersC = `/* Prints argument bytes folded: a0.0-3 ?(4 bytes) a1.0-7 (? = no argument byte). */
static void tf_print_owners(const int *own, int n)
{
	for (int i = 0; i < n;) {
		int j = i + 1;
		if (own[i] < 0) {
			while (j < n && own[j] < 0)
				j++;
			printf(" ?(%d byte%s)", j - i, j - i > 1 ? "s" : "");
		} else {
			int arg = tf_arg_of(own[i]);
			while (j < n && own[j] == own[j - 1] + 1 && tf_arg_of(own[j]) == arg)
				j++;
			printf(" %s.%d", tf_arg_name[arg], own[i] - tf_arg_first[arg]);
			if (j - i > 1)
				printf("-%d", own[j - 1] - tf_arg_first[arg]);
		}
		i = j;
	}
}
`
