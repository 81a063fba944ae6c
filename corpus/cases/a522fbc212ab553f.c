struct s1 { long m0 __attribute__((aligned(16))); };
void f(int a0, struct s1 a1);
