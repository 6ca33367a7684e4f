/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench_prof.h - where the time goes: a gperftools CPU profile of a
 * measured section, split by who owns the code the samples landed in.
 *
 * Owns: starting/stopping libprofiler (only samples taken while
 * bench_prof_on is set count: the profiler's filter callback), reading the
 * profile back in-process, and classifying each sample's own PC (self time)
 * by the object it comes from: driver (the real vfio_ap_*.c), shim
 * (driver/kernel/), libsim (sim/: scheduler, lock validator, sync), glue
 * (driver/ glue), libc/other (libc, kernel time via syscalls, the bench).
 * Symbols come from /proc/self/exe's .symtab (locals attributed through
 * their STT_FILE entry) and `nm -A` over BUILD/obj for the globals.
 * The same file stays a normal profile: google-pprof --text BIN FILE.
 */
#ifndef APSIM_BENCH_PROF_H
#define APSIM_BENCH_PROF_H

#include <dlfcn.h>
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <gperftools/profiler.h>

#include "bench_common.h"

enum { CAT_DRIVER, CAT_SHIM, CAT_LIBSIM, CAT_GLUE, CAT_OTHER, CAT__N };
static const char *const bench_cat_name[CAT__N] = {
	"driver (vfio_ap_*.c)", "shim kernel (driver/kernel)", "libsim (sched, lockdep, sync)",
	"world (executor, scenario, fuzz)", "libc, syscalls, bench",
};

static volatile int bench_prof_on;
static char bench_prof_path[4096];
static bool bench_prof_tmp;

static int bench_prof_filter(void *arg)
{
	(void)arg;
	return bench_prof_on;
}

/*
 * libprofiler reads CPUPROFILE_FREQUENCY when it initialises, before main:
 * re-execute once with 1000 Hz (default 100 Hz is too coarse for a few
 * seconds of run).  Call first thing in main.
 */
static inline void bench_prof_reexec(char **argv)
{
	if (getenv("CPUPROFILE_FREQUENCY"))
		return;
	setenv("CPUPROFILE_FREQUENCY", "1000", 1);
	execv("/proc/self/exe", argv);
}

/* Start profiling into path (NULL: a temporary file, removed after use). */
static inline bool bench_prof_start(const char *path)
{
	struct ProfilerOptions po;

	if (path) {
		snprintf(bench_prof_path, sizeof(bench_prof_path), "%s", path);
		bench_prof_tmp = false;
	} else {
		snprintf(bench_prof_path, sizeof(bench_prof_path), "/tmp/apsim-prof-%d.prof",
			 (int)getpid());
		bench_prof_tmp = true;
	}
	setenv("CPUPROFILE_FREQUENCY", "1000", 0);
	memset(&po, 0, sizeof(po));
	po.filter_in_thread = bench_prof_filter;
	return ProfilerStartWithOptions(bench_prof_path, &po) != 0;
}

/*
 * mprotect, interposed: the checked slab (driver/kernel/slab.c) changes page
 * protection on every kmalloc/kfree and libsim guards each thread stack;
 * the bench binary's definition wins over libc's at link time, so every
 * such call is counted and timed with the cycle counter (while
 * bench_prof_on).  Calibrated to ns by bench_tsc_per_ns().
 */
static uint64_t bench_mprot_calls, bench_mprot_cycles;

int mprotect(void *addr, size_t len, int prot)
{
	uint64_t t0 = bench_rdtsc();
	long r = syscall(SYS_mprotect, addr, len, prot);   /* -1 + errno */

	if (bench_prof_on) {
		bench_mprot_calls++;
		bench_mprot_cycles += bench_rdtsc() - t0;
	}
	return (int)r;
}

static inline double bench_tsc_per_ns(void)
{
	static double v;

	if (!v) {
		double t0 = bench_now();
		uint64_t c0 = bench_rdtsc();

		while (bench_now() - t0 < 0.02)
			;
		v = (double)(bench_rdtsc() - c0) / ((bench_now() - t0) * 1e9);
	}
	return v;
}

/* ------------------------------------------------------------- symbols */

struct bsym {
	uintptr_t addr, size;
	const char *name;
	int cat;
	uint64_t self;
};
static struct bsym *bsyms;
static int nbsyms;

/* name -> category maps from nm over the build's objects */
struct bname {
	char *name;
	int cat;
};
static struct bname *gnames, *fnames;
static int ngnames, nfnames;

static int cat_of_objpath(const char *p)
{
	if (!strncmp(p, "kernel/vfio_ap_", 15))
		return CAT_DRIVER;
	if (strstr(p, "driver/kernel/"))
		return CAT_SHIM;
	if (strstr(p, "sim/"))
		return CAT_LIBSIM;
	if (strstr(p, "driver/") || strstr(p, "gen/") || strstr(p, "fuzz/"))
		return CAT_GLUE;
	return CAT_OTHER;
}

/* nm -A --defined-only over the build's objects: a pipe from nm run with an
 * argument vector (no shell: the build path may hold any character). */
static FILE *bench_prof_nm(const char *objdir, pid_t *pid)
{
	static const char *const pats[] = {
		"kernel/*.o", "driver/kernel/*.o", "sim/*.o", "driver/world/*.o",
		"driver/scenario/*.o", "fuzz/*.o", "gen/*.o",
	};
	char pat[4200];
	char **argv;
	glob_t g;
	int fd[2], flags = 0;

	memset(&g, 0, sizeof(g));
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		snprintf(pat, sizeof(pat), "%s/%s", objdir, pats[i]);
		if (glob(pat, flags, NULL, &g) == 0 || g.gl_pathc)
			flags = GLOB_APPEND;
	}
	if (!g.gl_pathc || pipe(fd))
		return NULL;
	argv = calloc(g.gl_pathc + 4, sizeof(*argv));
	argv[0] = "nm";
	argv[1] = "-A";
	argv[2] = "--defined-only";
	memcpy(argv + 3, g.gl_pathv, g.gl_pathc * sizeof(*argv));
	*pid = fork();
	if (*pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fd[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(fd[0]);
		execvp("nm", argv);
		_exit(127);
	}
	close(fd[1]);
	free(argv);
	globfree(&g);
	if (*pid < 0) {
		close(fd[0]);
		return NULL;
	}
	return fdopen(fd[0], "r");
}

static void bench_prof_load_nm(void)
{
	char dir[4096], objdir[4200], line[1024];
	FILE *p;
	pid_t pid;
	size_t skip;
	int gcap = 0, fcap = 0;

	bench_self_dir(dir, sizeof(dir));
	snprintf(objdir, sizeof(objdir), "%s/../obj", dir);
	skip = strlen(objdir) + 1;
	p = bench_prof_nm(objdir, &pid);
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		char path[512], addr[64], type[8], name[512];

		if (strlen(line) <= skip ||
		    sscanf(line + skip, "%511[^:]:%63s %7s %511s", path, addr, type, name) != 4)
			continue;
		int cat = cat_of_objpath(path);
		/* object basename -> category, for STT_FILE of locals */
		const char *b = strrchr(path, '/');

		b = b ? b + 1 : path;
		if (nfnames == 0 || strcmp(fnames[nfnames - 1].name, b)) {
			if (nfnames == fcap)
				fnames = realloc(fnames, sizeof(*fnames) * (fcap = fcap * 2 + 64));
			fnames[nfnames].name = strdup(b);
			fnames[nfnames++].cat = cat;
		}
		if (type[0] != 'T')
			continue;
		if (ngnames == gcap)
			gnames = realloc(gnames, sizeof(*gnames) * (gcap = gcap * 2 + 256));
		gnames[ngnames].name = strdup(name);
		gnames[ngnames++].cat = cat;
	}
	fclose(p);
	waitpid(pid, NULL, 0);
}

static int cat_of_global(const char *name)
{
	for (int i = 0; i < ngnames; i++)
		if (!strcmp(gnames[i].name, name))
			return gnames[i].cat;
	return CAT_OTHER;
}

static int cat_of_file(const char *file)
{
	char o[512];
	size_t n = strlen(file);

	if (n < 2 || strcmp(file + n - 2, ".c"))
		return CAT_OTHER;
	snprintf(o, sizeof(o), "%.*s.o", (int)(n - 2), file);
	for (int i = 0; i < nfnames; i++)
		if (!strcmp(fnames[i].name, o))
			return fnames[i].cat;
	return CAT_OTHER;
}

/*
 * A function neither its STT_FILE nor the objects' globals place: in a
 * link-time optimised build (LTO=1, the default with gcc) the locals of
 * apsim's host-side code sit under the LTO partitions' empty file entries,
 * the ones LTO shares between partitions become hidden globals named
 * "name.lto_priv.N", and globals only the program calls become locals.
 * Its source file from the debug information (sim_symbolize_stack's
 * frames), then the same basename map; the bench's own functions,
 * the C runtime's and what the debug information gives no file for (LTO's
 * "<artificial>", header inlines) stay "other".
 */
static int cat_of_local_pc(uintptr_t pc)
{
	struct sim_frame fr[8];
	int n = sim_symbolize_stack(&pc, 1, fr, 8);

	/* the outermost frame of pc's inline chain: the function itself */
	return n > 0 ? cat_of_file(fr[n - 1].file) : CAT_OTHER;
}

/* "name.lto_priv.0" -> "name" (the suffix LTO gives a local it renames). */
static const char *bench_plain_name(const char *name)
{
	const char *d = strstr(name, ".lto_priv.");
	char *c;

	if (!d)
		return name;
	c = strndup(name, (size_t)(d - name));
	return c ? c : name;
}

static int bsym_cmp(const void *a, const void *b)
{
	const struct bsym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int bias_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1;   /* the first entry is the main program */
}

static void bench_prof_load_syms(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	struct stat st;
	uintptr_t bias = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return;
	const uint8_t *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

	close(fd);
	if (m == MAP_FAILED)
		return;
	dl_iterate_phdr(bias_cb, &bias);
	bench_prof_load_nm();
	const Elf64_Ehdr *eh = (const void *)m;
	const Elf64_Shdr *sh = (const void *)(m + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		const Elf64_Sym *sy = (const void *)(m + sh[i].sh_offset);
		const char *str = (const char *)(m + sh[sh[i].sh_link].sh_offset);
		size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
		const char *file = "";

		bsyms = calloc(n, sizeof(*bsyms));
		for (size_t k = 0; k < n; k++) {
			int type = ELF64_ST_TYPE(sy[k].st_info);
			int bind = ELF64_ST_BIND(sy[k].st_info);

			if (type == STT_FILE) {
				file = str + sy[k].st_name;
				continue;
			}
			if (type != STT_FUNC || !sy[k].st_value)
				continue;
			struct bsym *b = &bsyms[nbsyms++];

			b->addr = sy[k].st_value + bias;
			b->size = sy[k].st_size ? sy[k].st_size : 1;
			b->name = bench_plain_name(str + sy[k].st_name);
			b->cat = bind == STB_LOCAL ? cat_of_file(file) : CAT_OTHER;
			if (b->cat == CAT_OTHER)	/* (LTO makes globals local) */
				b->cat = cat_of_global(b->name);
			if (b->cat == CAT_OTHER)
				b->cat = cat_of_local_pc(b->addr);
		}
	}
	qsort(bsyms, (size_t)nbsyms, sizeof(*bsyms), bsym_cmp);
}

static struct bsym *bench_prof_lookup(uintptr_t pc)
{
	int lo = 0, hi = nbsyms - 1, best = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (bsyms[mid].addr <= pc) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (best < 0 || pc >= bsyms[best].addr + bsyms[best].size)
		return NULL;
	return &bsyms[best];
}

/* --------------------------------------------------------------- split */

struct bench_split {
	uint64_t samples;
	uint64_t cat[CAT__N];
	uint64_t outside;        /* leaf outside the binary (libc, vdso) */
	uint64_t outside_cat[CAT__N];  /* ... attributed to its caller's owner */
	char out_name[8][64];    /* hottest such leaves (dladdr names) */
	uint64_t out_count[8];
	struct bsym *top[12];   /* hottest functions by self samples */
	int ntop;
};

static int bsym_self_cmp(const void *a, const void *b)
{
	const struct bsym *const *x = a, *const *y = b;

	return (*x)->self < (*y)->self ? 1 : (*x)->self > (*y)->self ? -1 : 0;
}

/* Stop the profiler and classify the samples. */
static inline void bench_prof_stop(struct bench_split *sp)
{
	struct stat st;
	int fd;

	memset(sp, 0, sizeof(*sp));
	ProfilerStop();
	fd = open(bench_prof_path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 5 * 8)
		goto out;
	const uintptr_t *w = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

	if (w == MAP_FAILED)
		goto out;
	if (!nbsyms)
		bench_prof_load_syms();
	size_t nw = (size_t)st.st_size / sizeof(uintptr_t), i = 2 + w[1];

	while (i + 2 <= nw) {
		uintptr_t count = w[i], depth = w[i + 1];

		if (count == 0 && depth == 1)
			break;                   /* trailer */
		if (i + 2 + depth > nw)
			break;
		if (depth > 0) {
			struct bsym *b = bench_prof_lookup(w[i + 2]);

			sp->samples += count;
			if (b) {
				sp->cat[b->cat] += count;
				b->self += count;
			} else {
				/* libc (a syscall: mprotect, clock_gettime ...):
				 * charge the first caller inside the binary */
				struct bsym *c = NULL;
				Dl_info di;
				const char *nm = "?";

				/* frame-pointer unwinding from a libc leaf skips
				 * its direct caller: the owner below is only the
				 * nearest frame we can see */
				for (uintptr_t k = 1; k < depth && !c; k++)
					c = bench_prof_lookup(w[i + 2 + k] - 1);
				sp->cat[CAT_OTHER] += count;
				sp->outside += count;
				sp->outside_cat[c ? c->cat : CAT_OTHER] += count;
				if (dladdr((void *)w[i + 2], &di) && di.dli_sname)
					nm = di.dli_sname;
				else if (dladdr((void *)w[i + 2], &di) && di.dli_fname)
					nm = strrchr(di.dli_fname, '/') ? strrchr(di.dli_fname, '/') + 1
									  : di.dli_fname;
				for (int q = 0; q < 8; q++) {
					if (!sp->out_name[q][0])
						snprintf(sp->out_name[q], 64, "%s", nm);
					if (!strcmp(sp->out_name[q], nm)) {
						sp->out_count[q] += count;
						break;
					}
				}
			}
		}
		i += 2 + depth;
	}
	munmap((void *)w, (size_t)st.st_size);
	{
		int n = 0;
		struct bsym **all = malloc(sizeof(*all) * (size_t)(nbsyms + 1));

		for (int k = 0; k < nbsyms; k++)
			if (bsyms[k].self)
				all[n++] = &bsyms[k];
		qsort(all, (size_t)n, sizeof(*all), bsym_self_cmp);
		for (int k = 0; k < n && k < 12; k++)
			sp->top[sp->ntop++] = all[k];
		free(all);
	}
out:
	if (fd >= 0)
		close(fd);
	if (bench_prof_tmp)
		unlink(bench_prof_path);
}

/* Print the split and record it as figures under prefix.  measured_s: wall
 * time of the profiled section, per: its unit count (executions, ops) for
 * the mprotect figures. */
static inline void bench_prof_print(const struct bench_split *sp, const char *prefix,
				    int ntop, double measured_s, double per, const char *per_name)
{
	char k[128];

	if (measured_s > 0 && per > 0) {
		double ns = bench_mprot_cycles / bench_tsc_per_ns();

		printf("  mprotect (slab page protection, stack guards), cycle counter: %.1f calls/%s,\n"
		       "    %.0f ns each, %.1f %% of the measured time\n",
		       bench_mprot_calls / per, per_name,
		       bench_mprot_calls ? ns / bench_mprot_calls : 0, 100.0 * ns / (measured_s * 1e9));
		snprintf(k, sizeof(k), "%s.mprotect_calls_per_%s", prefix, per_name);
		bench_fig(k, bench_mprot_calls / per, "");
		snprintf(k, sizeof(k), "%s.mprotect_pct_time", prefix);
		bench_fig(k, 100.0 * ns / (measured_s * 1e9), "%");
	}

	if (!sp->samples) {
		printf("  (no profile samples)\n");
		return;
	}
	printf("  where the time goes (gperftools, %llu samples, self time):\n",
	       (unsigned long long)sp->samples);
	for (int c = 0; c < CAT__N; c++) {
		double pct = 100.0 * sp->cat[c] / sp->samples;

		printf("    %-34s %5.1f %%\n", bench_cat_name[c], pct);
		snprintf(k, sizeof(k), "%s.pct_%s", prefix,
			 (const char *[]){ "driver", "shim", "libsim", "glue", "other" }[c]);
		bench_fig(k, pct, "%");
	}
	double drv = 100.0 * sp->cat[CAT_DRIVER] / sp->samples;

	if (sp->outside) {
		printf("    libc/syscalls %.1f %% (seen under driver %.1f, shim %.1f, libsim %.1f):",
		       100.0 * sp->outside / sp->samples,
		       100.0 * sp->outside_cat[CAT_DRIVER] / sp->samples,
		       100.0 * sp->outside_cat[CAT_SHIM] / sp->samples,
		       100.0 * sp->outside_cat[CAT_LIBSIM] / sp->samples);
		for (int q = 0; q < 8 && sp->out_name[q][0]; q++)
			if (sp->out_count[q] * 100 >= sp->samples)
				printf(" %s %.1f%%", sp->out_name[q],
				       100.0 * sp->out_count[q] / sp->samples);
		printf("\n");
		snprintf(k, sizeof(k), "%s.pct_in_libc", prefix);
		bench_fig(k, 100.0 * sp->outside / sp->samples, "%");
	}

	printf("    %-34s %5.1f %% vs %5.1f %%\n", "=> driver % vs shim+libsim+libc %", drv, 100 - drv);
	printf("    hottest functions:\n");
	for (int i = 0; i < sp->ntop && i < ntop; i++) {
		printf("      %5.1f %%  %-40s %s\n", 100.0 * sp->top[i]->self / sp->samples,
		       sp->top[i]->name, bench_cat_name[sp->top[i]->cat]);
		snprintf(k, sizeof(k), "%s.hot%d", prefix, i + 1);
		bench_note(k, "%.1f%% %s [%s]", 100.0 * sp->top[i]->self / sp->samples,
			   sp->top[i]->name, bench_cat_name[sp->top[i]->cat]);
	}
	for (int i = 0; i < nbsyms; i++)
		bsyms[i].self = 0;
}

#endif /* APSIM_BENCH_PROF_H */
