struct s1 { float m0; float m1; float m2; };
void f(struct s1 a0, int a1);
