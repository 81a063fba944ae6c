struct s1 { long m0; } __attribute__((aligned(16)));
void f(long a0, struct s1 a1);
