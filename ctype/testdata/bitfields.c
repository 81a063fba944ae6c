/* Bit-fields: named, unnamed, zero-width, packed, aligned, over enums,
 * __int128 and aligned typedefs. */
enum color { RED, GREEN, BLUE = 7 };
typedef unsigned long long ull __attribute__((aligned(16)));
typedef unsigned int lowered_uint __attribute__((aligned(2)));
struct flags {
	unsigned int a : 1, b : 3;
	int : 4;
	enum color c : 3;
	long : 0;
	char d : 7;
	_Bool e : 1;
};
struct wide { __int128 y : 65; char z : 7; };
struct packed_bits { char a : 3; char b : 7; int c : 29; short d : 10; } __attribute__((packed));
struct member_packed { char a : 3; int b : 30 __attribute__((packed)); };
struct over_typedefs { char c; ull i : 1 __attribute__((aligned(8))); lowered_uint j : 16; char k; };
struct zero { char a; int : 0; char b; unsigned __int128 : 0; char c; };
void f(struct flags a0, struct wide a1, struct packed_bits a2, struct member_packed a3,
       struct over_typedefs a4, struct zero a5);
