/*
 * Native scalar baseline for bench/simd.mjs: the same formulas as riskwasm's hot loops, written
 * plainly in C and compiled with the system compiler at -O2 (no -ffast-math, no vector intrinsics;
 * whatever the compiler auto-vectorises it may). Inputs come from binary files written by the
 * bench (the same seeded surface and samples); timings and results go to stdout as JSON.
 *
 *   price   Black-Scholes-Merton with N(x) = erfc(-x/sqrt 2)/2 (glibc erfc), 1e6 options
 *   greeks  price + delta, gamma, vega, theta, rho, vanna, volga
 *   iv      Black-76 implied vol: safeguarded Newton (bisection bracket) from the Brenner-
 *           Subrahmanyam guess to |d sigma| <= 1e-14 sigma, at most 100 iterations
 *   gbm     GBM paths (S *= exp(drift + vol sqrt(dt) z)), xorshift128+ and Box-Muller normals,
 *           European call, 1e5 paths x 252 steps
 *   var     historical VaR + ES at 99% on 1e6 samples: copy, quickselect (nth_element style), tail mean
 *
 * Usage: baseline <dir> <n> <nVar>   (dir holds spots.bin strikes.bin expiries.bin vols.bin
 * rates.bin types.bin forwards.bin dfs.bin ivprices.bin pnl.bin)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: the machine may be shared */
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void *readAll(const char *dir, const char *name, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  void *p = malloc(bytes);
  if (fread(p, 1, bytes, f) != bytes) { fprintf(stderr, "short read %s\n", path); exit(2); }
  fclose(f);
  return p;
}

static void writeAll(const char *dir, const char *name, const void *p, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, bytes, f) != bytes) { perror(path); exit(2); }
  fclose(f);
}

static inline double ncdf(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }
static inline double npdf(double x) { return 0.3989422804014327 * exp(-0.5 * x * x); }

static void priceAll(int n, const double *S, const double *K, const double *T, const double *v, const double *r,
                     const int8_t *ty, double *out) {
  for (int i = 0; i < n; i++) {
    double sq = sqrt(T[i]), s = v[i] * sq;
    double d1 = (log(S[i] / K[i]) + (r[i] + 0.5 * v[i] * v[i]) * T[i]) / s, d2 = d1 - s;
    double kd = K[i] * exp(-r[i] * T[i]);
    double th = ty[i];
    out[i] = th * (S[i] * ncdf(th * d1) - kd * ncdf(th * d2));
  }
}

static void greeksAll(int n, const double *S, const double *K, const double *T, const double *v, const double *r,
                      const int8_t *ty, double *out) {
  for (int i = 0; i < n; i++) {
    double sq = sqrt(T[i]), s = v[i] * sq;
    double d1 = (log(S[i] / K[i]) + (r[i] + 0.5 * v[i] * v[i]) * T[i]) / s, d2 = d1 - s;
    double kd = K[i] * exp(-r[i] * T[i]);
    double th = ty[i];
    double N1 = ncdf(th * d1), N2 = ncdf(th * d2), n1 = npdf(d1);
    double *o = out + 8 * (size_t)i;
    o[0] = th * (S[i] * N1 - kd * N2);
    o[1] = th * N1;
    o[2] = n1 / (S[i] * s);
    o[3] = S[i] * n1 * sq;
    o[4] = -S[i] * n1 * v[i] / (2 * sq) - th * r[i] * kd * N2;
    o[5] = th * kd * T[i] * N2;
    o[6] = -n1 * d2 / v[i];
    o[7] = o[3] * d1 * d2 / v[i];
  }
}

static inline double black76(double F, double K, double s, double th) {
  double d1 = log(F / K) / s + 0.5 * s, d2 = d1 - s;
  return th * (F * ncdf(th * d1) - K * ncdf(th * d2));
}

static void ivAll(int n, const double *P, const double *F, const double *K, const double *T, const double *DF,
                  const int8_t *ty, double *out, long *iterations) {
  long its = 0;
  for (int i = 0; i < n; i++) {
    double th = ty[i], p = P[i] / DF[i], sqT = sqrt(T[i]);
    double lo = 0, hi = 10 * sqT; /* total vol bracket */
    double s = sqrt(2 * M_PI) * p / (0.5 * (F[i] + K[i])); /* Brenner-Subrahmanyam */
    if (!(s > 1e-8 && s < hi)) s = 0.5;
    double x = log(F[i] / K[i]);
    int k;
    for (k = 0; k < 100; k++) {
      double d1 = x / s + 0.5 * s;
      double f = black76(F[i], K[i], s, th) - p;
      if (f > 0) hi = s; else lo = s;
      double vega = F[i] * npdf(d1);
      double next = s - f / vega;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      double ds = next - s;
      s = next;
      if (fabs(ds) <= 1e-14 * s) break;
    }
    its += k + 1;
    out[i] = s / sqT;
  }
  *iterations = its;
}

static uint64_t rs0, rs1;
static inline uint64_t xorshift128p(void) {
  uint64_t a = rs0, b = rs1;
  rs0 = b;
  a ^= a << 23;
  rs1 = a ^ b ^ (a >> 17) ^ (b >> 26);
  return rs1 + b;
}
static inline double unif(void) { return ((xorshift128p() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

static double gbm(int paths, int steps, double *stdErr) {
  const double S0 = 100, K = 100, r = 0.03, q = 0.01, vol = 0.25, T = 1;
  double dt = T / steps, drift = (r - q - 0.5 * vol * vol) * dt, vs = vol * sqrt(dt);
  double sum = 0, sum2 = 0, spare = 0;
  int haveSpare = 0;
  rs0 = 0x9E3779B97F4A7C15ull; rs1 = 0xD1B54A32D192ED03ull;
  for (int p = 0; p < paths; p++) {
    double lnS = log(S0);
    for (int k = 0; k < steps; k++) {
      double z;
      if (haveSpare) { z = spare; haveSpare = 0; }
      else {
        double u1 = unif(), u2 = unif(), rad = sqrt(-2 * log(u1));
        z = rad * cos(2 * M_PI * u2);
        spare = rad * sin(2 * M_PI * u2);
        haveSpare = 1;
      }
      lnS += drift + vs * z;
    }
    double pay = exp(lnS) - K;
    pay = pay > 0 ? pay : 0;
    sum += pay;
    sum2 += pay * pay;
  }
  double df = exp(-r * T), mean = sum / paths;
  *stdErr = df * sqrt((sum2 / paths - mean * mean) / paths);
  return df * mean;
}

/* k-th smallest (0-based) of a[0..n), partially reordering a (Hoare partition, median of three). */
static double nthElement(double *a, long n, long k) {
  long lo = 0, hi = n - 1;
  while (hi > lo) {
    long mid = lo + (hi - lo) / 2;
    double x = a[lo], y = a[mid], z = a[hi];
    double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { double t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

static void varEs(const double *pnl, long n, double conf, double *work, double *var, double *es) {
  memcpy(work, pnl, n * sizeof(double));
  long k = (long)floor(n * (1 - conf)); /* number of tail samples */
  double q = nthElement(work, n, k);       /* work[0..k) <= q: the k worst */
  double s = 0;
  for (long i = 0; i < k; i++) s += work[i];
  *var = -q;
  *es = -s / k;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: baseline dir n nVar\n"); return 2; }
  const char *dir = argv[1];
  int n = atoi(argv[2]);
  long nVar = atol(argv[3]);
  size_t b = (size_t)n * 8;
  double *S = readAll(dir, "spots.bin", b), *K = readAll(dir, "strikes.bin", b), *T = readAll(dir, "expiries.bin", b);
  double *V = readAll(dir, "vols.bin", b), *R = readAll(dir, "rates.bin", b), *F = readAll(dir, "forwards.bin", b);
  double *DF = readAll(dir, "dfs.bin", b), *P = readAll(dir, "ivprices.bin", b);
  int8_t *ty = readAll(dir, "types.bin", n);
  double *pnl = readAll(dir, "pnl.bin", nVar * 8);
  double *out = malloc(b * 8), *work = malloc(nVar * 8);
  double best[5] = {1e30, 1e30, 1e30, 1e30, 1e30}, sink = 0, var = 0, es = 0, gbmPrice = 0, gbmErr = 0;
  long its = 0;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now(); priceAll(n, S, K, T, V, R, ty, out); double t1 = now();
    if (t1 - t0 < best[0]) best[0] = t1 - t0;
    sink += out[n / 2];
    t0 = now(); greeksAll(n, S, K, T, V, R, ty, out); t1 = now();
    if (t1 - t0 < best[1]) best[1] = t1 - t0;
    sink += out[4 * n];
    t0 = now(); varEs(pnl, nVar, 0.99, work, &var, &es); t1 = now();
    if (t1 - t0 < best[4]) best[4] = t1 - t0;
  }
  for (int rep = 0; rep < 3; rep++) {
    double t0 = now(); ivAll(n, P, F, K, T, DF, ty, out, &its); double t1 = now();
    if (t1 - t0 < best[2]) best[2] = t1 - t0;
  }
  /* iv accuracy: worst |sigma - vol| (the vols generated the prices) */
  double ivErr = 0;
  long ivBad = 0;
  for (int i = 0; i < n; i++) {
    double e = fabs(out[i] - V[i]);
    if (!(e <= 1e-6)) ivBad++;
    else if (e > ivErr) ivErr = e;
  }
  for (int rep = 0; rep < 2; rep++) {
    double t0 = now(); gbmPrice = gbm(100000, 252, &gbmErr); double t1 = now();
    if (t1 - t0 < best[3]) best[3] = t1 - t0;
  }
  /* results for the bench to compare with riskwasm's: implied vols, then prices */
  writeAll(dir, "native-iv.bin", out, b);
  priceAll(n, S, K, T, V, R, ty, out);
  writeAll(dir, "native-price.bin", out, b);
  printf("{\"priceS\":%.9g,\"greeksS\":%.9g,\"ivS\":%.9g,\"gbmS\":%.9g,\"varS\":%.9g,"
         "\"price0\":%.17g,\"priceLast\":%.17g,\"ivMaxErr\":%.3g,\"ivOutside1e6\":%ld,\"ivIterations\":%ld,"
         "\"gbmPrice\":%.9g,\"gbmStdErr\":%.9g,\"var\":%.17g,\"es\":%.17g,\"sink\":%.3g}\n",
         best[0], best[1], best[2], best[3], best[4], out[0], out[n - 1], ivErr, ivBad, its, gbmPrice, gbmErr, var, es, sink);
  return 0;
}
