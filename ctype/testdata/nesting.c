/* Nested, anonymous and self-referencing records, arrays of records,
 * multi-dimensional arrays, forward declarations. */
struct opaque;
struct node {
	struct node *next;
	struct opaque *data;
	int v[2][3];
};
typedef struct { short x, y; } point;
struct outer {
	struct inner {
		struct innermost { char c; long l; } deep[2];
		int n;
	} in;
	union {
		point p;
		unsigned int word;
	};
	struct { char tag; } named_anon;
	point points[3];
};
void f(struct node a0, struct outer a1, struct inner *a2, point a3, struct opaque **a4);
