# Golden values for the uncertainty defaults (t intervals, deff, share correction) from R's survey package (Lumley).
# Run from the repository root:  Rscript tests/golden/make_golden_uncertainty.R
# Writes tests/golden/mu284.csv (data(mu284)) and tests/golden/uncertainty_golden.json.
# CI needs no R: the tests read the committed files.
suppressPackageStartupMessages({library(survey); library(jsonlite)})
out_dir <- "tests/golden"
golden <- list(meta = list(survey = as.character(packageVersion("survey")),
                           R = R.version.string, generated = format(Sys.time(), tz = "UTC")))

# ---- weights from the fpc (svydesign without weights) -------------------------------------
data(mu284)
write.csv(mu284, file.path(out_dir, "mu284.csv"), row.names = FALSE)
dmu <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
tot <- svytotal(~y1, dmu)
mn <- svymean(~y1, dmu, deff = TRUE)
golden$mu284 <- list(
  call = "svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284); svytotal(~y1); svymean(~y1, deff=TRUE); weights(dmu)",
  total = unname(coef(tot)), total_se = unname(SE(tot)),
  mean = unname(coef(mn)), mean_se = unname(SE(mn)), mean_deff = unname(deff(mn)),
  weights = unname(weights(dmu)))

# ---- R's Hadamard matrices (the BRR default) -----------------------------------------------
# hadamard(n) for n strata: its size and every row as a 0/1 string
had <- lapply(1:100, function(n) { h <- survey:::hadamard(n); apply(h, 1, paste, collapse = "") })
key <- sapply(had, paste, collapse = "/")
distinct <- unique(key)
golden$hadamard <- list(
  call = "survey:::hadamard(n), n = 1..100: matrix[[which[n]]] (distinct matrices, rows as 0/1 strings)",
  n = 1:100, which = match(key, distinct), matrix = lapply(distinct, function(k) strsplit(k, "/")[[1]]))

# ---- post-stratified PAPI-shaped scores (scoring.index.frame_design.analysis_design) -----
# tests/golden/papi_poststrat.csv: two simulated provinces (survey.simulate(2021, rng=5)),
# strata and PSUs (there, each capital district is a stratum clustered on its communes: any
# strata/PSU columns exercise the same code), design weights, and three
# indicator values y0, y2, y9 (NA = not eligible). `weight` is `design_weight`
# post-stratified to province x sex x age group; its cell sums are the population counts.
pp <- read.csv(file.path(out_dir, "papi_poststrat.csv"))
pp$cell <- interaction(pp$province, pp$sex, pp$age_group, drop = TRUE)
pop <- aggregate(weight ~ cell, data = pp, FUN = sum)
names(pop) <- c("cell", "Freq")
dbase <- svydesign(id = ~psu, strata = ~stratum, weights = ~design_weight, data = pp, nest = TRUE)
dps <- postStratify(dbase, ~cell, pop)
dfix <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, data = pp, nest = TRUE)
by_y <- function(design, y) {
  b <- svyby(as.formula(paste0("~", y)), ~province, design, svymean, na.rm = TRUE)
  list(province = as.character(b$province), est = unname(b[[y]]), se = unname(SE(b)))
}
golden$papi_poststrat <- list(
  call = paste("postStratify(svydesign(id=~psu, strata=~stratum, weights=~design_weight,",
               "nest=TRUE), ~province*sex*age_group, cell sums of weight);",
               "svyby(~y, ~province, ., svymean, na.rm=TRUE); fixed: the same with weights=~weight"),
  poststratified = lapply(c(y0 = "y0", y2 = "y2", y9 = "y9"), function(y) by_y(dps, y)),
  fixed = lapply(c(y0 = "y0", y2 = "y2", y9 = "y9"), function(y) by_y(dfix, y)))

write(toJSON(golden, digits = NA, auto_unbox = TRUE), file.path(out_dir, "uncertainty_golden.json"))
