void f(int a0, __int128 a1);
