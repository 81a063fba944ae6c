struct s1 { char m0; long m1; } __attribute__((packed));
void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, struct s1 a8);
