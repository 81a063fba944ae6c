// Every place packed and aligned(N) may be written.
struct __attribute__((__packed__)) before { char a; long b; };
struct after { char a; long b; } __attribute__((packed));
struct list { char a; long b; } __attribute__((packed, aligned(16)));
struct lists { char a; } __attribute__((aligned(8))) __attribute__((packed));
struct members {
	char a;
	long b __attribute__((aligned(16)));
	__attribute__((aligned(4))) short c;
	int d __attribute__((packed));
	long e __attribute__((packed, aligned(2)));
	long f __aligned(32);
};
typedef long long lowered __attribute__((aligned(4)));
typedef char raised __attribute__((__aligned__(8)));
struct uses_typedefs { char a; lowered b; raised c; };
union u { char a; int b; } __attribute__((aligned));
void f(struct before a0, struct after a1, struct list a2, struct lists a3,
       struct members a4, struct uses_typedefs a5, union u a6, lowered a7, raised a8);
