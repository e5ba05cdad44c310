# Golden values for scoring.design from R's survey package (Lumley).
# Run from the repository root:  Rscript tests/golden/make_golden.R
# Writes tests/golden/{apistrat,apiclus1,apiclus2}.csv (from data(api)) and
# tests/golden/survey_golden.json. CI needs no R: it reads the committed files.
suppressPackageStartupMessages({library(survey); library(jsonlite)})
data(api)
out_dir <- "tests/golden"
write.csv(apistrat, file.path(out_dir, "apistrat.csv"), row.names = FALSE)
write.csv(apiclus1, file.path(out_dir, "apiclus1.csv"), row.names = FALSE)
write.csv(apiclus2, file.path(out_dir, "apiclus2.csv"), row.names = FALSE)

golden <- list(meta = list(survey = as.character(packageVersion("survey")),
                           R = R.version.string, generated = format(Sys.time(), tz = "UTC")))
add <- function(name, call, value) {
  value$call <- call
  golden[[name]] <<- value
}
st <- function(x) {
  v <- as.matrix(vcov(x))
  list(est = unname(as.vector(coef(x))), se = unname(sqrt(diag(v))))
}
by_st <- function(x) {
  list(domain = as.character(x[[1]]), est = unname(as.vector(coef(x))),
       se = unname(as.vector(SE(x))))
}
deff_of <- function(x) unname(as.vector(deff(x)))

# ---- designs -------------------------------------------------------------------
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus1n <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = apiclus2)
dclus2n <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)

add("clus1_mean", "svymean(~api00+api99, dclus1, deff=TRUE)",
    c(st(m <- svymean(~api00 + api99, dclus1, deff = TRUE)), list(deff = deff_of(m), df = degf(dclus1))))
add("clus1_total", "svytotal(~enroll+api00, dclus1, deff=TRUE)",
    c(st(m <- svytotal(~enroll + api00, dclus1, deff = TRUE)), list(deff = deff_of(m))))
add("clus1_ratio", "svyratio(~api00, ~api99, dclus1)", st(svyratio(~api00, ~api99, dclus1)))
ci_t <- confint(svymean(~api00 + api99, dclus1), df = degf(dclus1), level = 0.9)
ci_n <- confint(svymean(~api00 + api99, dclus1))
add("clus1_ci", "confint(svymean(~api00+api99, dclus1), df=degf(dclus1), level=0.9) and confint(...) (normal, 0.95)",
    list(t90_lci = unname(ci_t[, 1]), t90_uci = unname(ci_t[, 2]),
         n95_lci = unname(ci_n[, 1]), n95_uci = unname(ci_n[, 2])))
add("clus1_nofpc_mean", "svymean(~api00+api99, svydesign(id=~dnum, weights=~pw, data=apiclus1))",
    c(st(svymean(~api00 + api99, dclus1n)), list(df = degf(dclus1n))))
add("clus1_na", "svymean(~acs.k3, dclus1, na.rm=TRUE); svytotal(~acs.k3, dclus1, na.rm=TRUE)",
    list(mean = st(svymean(~acs.k3, dclus1, na.rm = TRUE)),
         total = st(svytotal(~acs.k3, dclus1, na.rm = TRUE)),
         n = sum(!is.na(apiclus1$acs.k3))))
add("clus1_by_na", "svyby(~acs.46, ~sch.wide, dclus1, svymean, na.rm=TRUE)",
    by_st(svyby(~acs.46, ~sch.wide, dclus1, svymean, na.rm = TRUE)))

b <- svyby(~api00 + api99, ~stype, dclus1, svymean, deff = TRUE)
add("clus1_by_mean", "svyby(~api00+api99, ~stype, dclus1, svymean, deff=TRUE); degf(subset(dclus1, stype==d))",
    list(domain = as.character(b$stype),
         est = unname(as.vector(as.matrix(b[, c("api00", "api99")]))),
         se = unname(as.vector(as.matrix(b[, c("se.api00", "se.api99")]))),
         deff = unname(as.vector(as.matrix(b[, c("DEff.api00", "DEff.api99")]))),
         df = sapply(levels(factor(apiclus1$stype)), function(s) degf(subset(dclus1, stype == s)))))
add("clus1_by_total", "svyby(~enroll, ~stype, dclus1, svytotal)", by_st(svyby(~enroll, ~stype, dclus1, svytotal)))
add("clus1_by_ratio", "svyby(~api00, ~stype, denominator=~api99, design=dclus1, FUN=svyratio)",
    by_st(svyby(~api00, ~stype, denominator = ~api99, design = dclus1, FUN = svyratio)))

add("strat_mean", "svymean(~api00, dstrat) with dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)",
    c(st(svymean(~api00 + enroll, dstrat)), list(df = degf(dstrat))))
add("strat_total", "svytotal(~enroll, dstrat)", st(svytotal(~enroll, dstrat)))
b <- svyby(~api00, ~sch.wide, dstrat, svymean)
add("strat_by_mean", "svyby(~api00, ~sch.wide, dstrat, svymean); degf(subset(...))",
    c(by_st(b), list(df = sapply(c("No", "Yes"), function(s) degf(subset(dstrat, sch.wide == s))))))

add("clus2_mean", "svymean(~api00, dclus2); svymean(~enroll, dclus2, na.rm=TRUE) with dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, weights=~pw, data=apiclus2)",
    list(est = c(coef(svymean(~api00, dclus2)), coef(m <- svymean(~enroll, dclus2, na.rm = TRUE))),
         se = c(SE(svymean(~api00, dclus2)), SE(m)), df = degf(dclus2)))
add("clus2_total", "svytotal(~api00, dclus2)", st(svytotal(~api00, dclus2)))
add("clus2_by_mean", "svyby(~api00, ~stype, dclus2, svymean)", by_st(svyby(~api00, ~stype, dclus2, svymean)))
add("clus2_nofpc_mean", "svymean(~api00, svydesign(id=~dnum+snum, weights=~pw, data=apiclus2))",
    st(svymean(~api00, dclus2n)))

# ---- lonely PSU: stratum L holds one district ---------------------------------------
lon <- apiclus1
first <- sort(unique(lon$dnum))[1]
lon$lstrat <- ifelse(lon$dnum == first, "L", ifelse(lon$dnum < 400, "A", "B"))
write.csv(lon[, c("dnum", "pw", "lstrat", "api00", "enroll")], file.path(out_dir, "lonely.csv"), row.names = FALSE)
lonely <- list()
for (policy in c("adjust", "remove", "certainty")) {
  options(survey.lonely.psu = policy)
  dl <- svydesign(id = ~dnum, strata = ~lstrat, weights = ~pw, data = lon)
  lonely[[policy]] <- list(mean = st(svymean(~api00, dl)), total = st(svytotal(~enroll, dl)),
                           jkn_mean = st(svymean(~api00, as.svrepdesign(dl, type = "JKn"))))
}
options(survey.lonely.psu = "fail")
dl <- svydesign(id = ~dnum, strata = ~lstrat, weights = ~pw, data = lon)
fails <- inherits(try(svymean(~api00, dl), silent = TRUE), "try-error")
add("lonely", "options(survey.lonely.psu=policy); svydesign(id=~dnum, strata=~lstrat, weights=~pw, data=lonely.csv)",
    c(lonely, list(fail_errors = fails)))

# ---- replicate weights ---------------------------------------------------------------
jk1 <- as.svrepdesign(dclus1, type = "JK1")
add("jk1", "as.svrepdesign(dclus1, type='JK1'): svymean(~api00+api99), svytotal(~enroll), svyratio, svyby",
    list(mean = st(svymean(~api00 + api99, jk1)), total = st(svytotal(~enroll, jk1)),
         ratio = st(svyratio(~api00, ~api99, jk1)),
         by = by_st(svyby(~api00, ~stype, jk1, svymean)),
         with_replicates = st(withReplicates(jk1, function(w, data) sum(w * data$api00) / sum(w * data$api99))),
         na_mean = st(svymean(~acs.k3, jk1, na.rm = TRUE)),
         na_by = by_st(svyby(~acs.46, ~sch.wide, jk1, svymean, na.rm = TRUE)),
         na_ratio = st(svyratio(~acs.k3, ~api99, jk1, na.rm = TRUE)),
         scale = jk1$scale))
jk1n <- as.svrepdesign(dclus1n, type = "JK1")
add("jk1_nofpc", "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1')",
    list(mean = st(svymean(~api00, jk1n)), scale = jk1n$scale))
jkn <- as.svrepdesign(dstrat, type = "JKn")
add("jkn", "as.svrepdesign(dstrat, type='JKn')",
    list(mean = st(svymean(~api00 + enroll, jkn)), total = st(svytotal(~enroll, jkn)),
         by = by_st(svyby(~api00, ~sch.wide, jkn, svymean))))

# a design that suits BRR: 7 variance strata of 2 PSUs built from apistrat
pair <- apistrat[order(apistrat$stype, apistrat$snum), ]
pair$rank <- ave(seq_len(nrow(pair)), pair$stype, FUN = seq_along)
size <- c(E = 34, H = 25, M = 25)
pair$pstrat <- paste0(pair$stype, (pair$rank - 1) %/% size[pair$stype])
pair$ppsu <- paste0(pair$pstrat, "-", (pair$rank - 1) %% 2)
write.csv(pair[, c("snum", "stype", "pw", "pstrat", "ppsu", "api00", "api99", "enroll")],
          file.path(out_dir, "paired.csv"), row.names = FALSE)
dpair <- svydesign(id = ~ppsu, strata = ~pstrat, weights = ~pw, data = pair)
brr <- as.svrepdesign(dpair, type = "BRR")
fay <- as.svrepdesign(dpair, type = "Fay", fay.rho = 0.3)
add("brr", "as.svrepdesign(svydesign(id=~ppsu, strata=~pstrat, weights=~pw, data=paired.csv), type='BRR')",
    list(mean = st(svymean(~api00 + api99, brr)), total = st(svytotal(~enroll, brr)),
         ratio = st(svyratio(~api00, ~api99, brr)),
         hadamard = unname(survey:::hadamard(length(unique(pair$pstrat)))),
         n_replicates = ncol(brr$repweights$weights),
         taylor_mean = st(svymean(~api00 + api99, dpair))))
add("fay", "as.svrepdesign(dpair, type='Fay', fay.rho=0.3)",
    list(mean = st(svymean(~api00 + api99, fay)), total = st(svytotal(~enroll, fay))))

# ---- calibration ---------------------------------------------------------------------
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dps <- postStratify(dclus1, ~stype, pop.types)
add("poststratify", "postStratify(dclus1, ~stype, pop.types): svymean(~api00), svytotal(~enroll)",
    list(mean = st(svymean(~api00, dps)), total = st(svytotal(~enroll, dps)),
         by = by_st(svyby(~api00, ~sch.wide, dps, svymean)),
         population = list(E = 4421, H = 755, M = 1018)))
drk <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
            control = list(maxit = 1000, epsilon = 1e-10))
dcr <- calibrate(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                 calfun = "raking", epsilon = 1e-12, maxit = 1000)
add("rake", "rake(dclus1, list(~stype,~sch.wide), ..., control=list(maxit=1000, epsilon=1e-10)); SE from calibrate(..., calfun='raking') (GREG residuals); rake()'s own backfitting SE in rake_se",
    list(weights_sum = sum(weights(drk)), w = unname(weights(drk)),
         mean = st(svymean(~api00, dcr)), total = st(svytotal(~enroll, dcr)),
         rake_mean = st(svymean(~api00, drk)), rake_total = st(svytotal(~enroll, drk)),
         schwide = list(No = 1072, Yes = 5122)))
dgreg <- calibrate(dclus1, ~api99, c(`(Intercept)` = 6194, api99 = 3914069))
add("greg", "calibrate(dclus1, ~api99, c(`(Intercept)`=6194, api99=3914069))",
    list(mean = st(svymean(~api00, dgreg)), total = st(svytotal(~enroll, dgreg)),
         by = by_st(svyby(~api00, ~stype, dgreg, svymean)),
         w = unname(weights(dgreg))))
dgreg2 <- calibrate(dclus1, ~stype + api99 - 1, c(stypeE = 4421, stypeH = 755, stypeM = 1018, api99 = 3914069))
add("greg_cat", "calibrate(dclus1, ~stype+api99-1, c(stypeE=4421, stypeH=755, stypeM=1018, api99=3914069))",
    list(mean = st(svymean(~api00, dgreg2)), total = st(svytotal(~enroll, dgreg2))))
# re-calibrated replicates
jps <- postStratify(jk1, ~stype, pop.types)
jrk <- rake(jk1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = list(maxit = 1000, epsilon = 1e-10))
jgr <- calibrate(jk1, ~api99, c(`(Intercept)` = 6194, api99 = 3914069))
add("jk1_calibrated", "postStratify / rake / calibrate on as.svrepdesign(dclus1, type='JK1')",
    list(poststratify = st(svymean(~api00, jps)), rake = st(svymean(~api00, jrk)),
         greg = st(svymean(~api00, jgr))))

writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(out_dir, "survey_golden.json"))
cat("wrote", file.path(out_dir, "survey_golden.json"), "\n")
