void f(int a0, int a1, int a2, int a3, int a4, int a5, int a6, __int128 a7, long a8);
