/* Homogeneous floating-point aggregates and near misses. */
struct hfa2f { float a, b; };
struct hfa4d { double d[4]; };
struct hfa_nested { struct hfa2f x; float y; };
struct hfa_ld { long double a, b; };
union hfa_union { float f[2]; struct hfa2f s; };
struct not_hfa { float a; double b; };
struct five { float f[5]; };
double f(float a0, double a1, long double a2, struct hfa2f a3, struct hfa4d a4,
         struct hfa_nested a5, struct hfa_ld a6, union hfa_union a7, struct not_hfa a8,
         struct five a9);
