# Golden values for issue 15 (honest uncertainty) from R's survey package (Lumley).
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

write(toJSON(golden, digits = NA, auto_unbox = TRUE), file.path(out_dir, "uncertainty_golden.json"))
