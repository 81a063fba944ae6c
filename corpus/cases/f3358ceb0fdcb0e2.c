long f(long a, long b, long c, long d, long e, __int128 g, long h);
