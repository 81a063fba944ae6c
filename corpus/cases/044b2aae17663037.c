struct s1 { long m0 __attribute__((aligned(16))); long m1; };
void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, int a8, struct s1 a9);
