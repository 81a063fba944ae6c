void f(double a0, long a1);
