/* The x7/stack boundary: seven integer arguments, then a 16-byte-aligned
 * one, then arguments that go to the stack. */
struct aligned16 { long a; } __attribute__((aligned(16)));
struct member16 { long a __attribute__((aligned(16))); long b; };
struct twelve { int a[3]; };
void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6,
       __int128 a7, struct aligned16 a8, struct member16 a9, struct twelve a10, char a11,
       unsigned __int128 a12);
