struct s1 { long a; long b; long c; };
void f(int a0, struct s1 *a1, long a2);
