# Golden values for scoring.score (tests/scoring/index/test_index_golden_r.py).
#
# Run from the repository root after `python tests/golden/index/make_data.py`:
#   Rscript tests/golden/index/golden_index.R
# Needs R's survey package (apt-get install -y r-cran-survey) and jsonlite.
#
# Every indicator mean with item non-response is a ratio of domain totals
# sum(w * y * m) / sum(w * m) (m = value observed), exactly svymean(na.rm = TRUE) of a
# domain. svyby(svytotal, covmat = TRUE) gives all totals of every province with their full
# covariance, and svycontrast() (delta method) gives each sub-dimension, dimension and the
# aggregate: sub = mean_i (1 + 9 (x_i - L_i) / (U_i - L_i)) / k, dim = sum sub,
# aggregate = sum dim. Taylor designs: ids = ~psu, strata = ~stratum, nest = TRUE, no fpc;
# weighted (weights = ~weight) and unweighted (unit weights). Bootstrap: as.svrepdesign(
# type = "subbootstrap") (Rao-Wu, n_h - 1 PSUs per stratum), 2000 replicates, and the whole
# pipeline recomputed under every replicate with withReplicates() ("bootstrap"), as
# scoring.score does; "bootstrap_linear" is svycontrast's delta method on the replicate
# covariance of the totals, for reference.
suppressMessages(library(survey))
library(jsonlite)

dir <- "tests/golden/index"
d <- read.csv(file.path(dir, "data.csv"), stringsAsFactors = FALSE)
spec <- fromJSON(file.path(dir, "spec.json"))
ind <- spec$indicators
K <- length(ind)
d$one <- 1
for (j in seq_len(K)) {
  y <- d[[paste0("y_", ind[j])]]
  d[[paste0("n", j)]] <- ifelse(is.na(y), 0, y)
  d[[paste0("d", j)]] <- as.numeric(!is.na(y))
}
vars <- as.formula(paste("~", paste(c(paste0("n", 1:K), paste0("d", 1:K)), collapse = "+")))
provinces <- sort(unique(d$province))
subs <- spec$subdimensions
sub_dim <- spec$subdimension_dimension
dims <- spec$dimensions
k_of <- table(sub_dim)

# expression text of every level for a coefficient prefix ("P01:" or "" for national)
level_text <- function(prefix) {
  ratio <- function(j) sprintf("(`%sn%d` / `%sd%d`)", prefix, j, prefix, j)
  rescaled <- function(j) {
    L <- spec$goalposts[j, 1]; U <- spec$goalposts[j, 2]
    sprintf("(1 + 9 * (%s - (%.17g)) / (%.17g))", ratio(j), L, U - L)
  }
  out <- list()
  for (j in seq_len(K)) out[[ind[j]]] <- ratio(j)
  for (s in subs) {
    js <- which(spec$indicator_subdimension == s)
    k <- k_of[[sub_dim[match(s, subs)]]]
    out[[s]] <- sprintf("((%s) / %d / %d)", paste(sapply(js, rescaled), collapse = " + "), length(js), k)
  }
  for (dd in dims) out[[dd]] <- sprintf("(%s)", paste(unlist(out[subs[sub_dim == dd]]), collapse = " + "))
  out[["PAPI"]] <- sprintf("(%s)", paste(unlist(out[dims]), collapse = " + "))
  out
}

contrast <- function(stat, prefix) {
  texts <- level_text(prefix)
  exprs <- lapply(texts, function(t) parse(text = t)[[1]])
  res <- svycontrast(stat, exprs)
  list(est = as.list(setNames(as.numeric(coef(res)), names(texts))),
       se = as.list(setNames(as.numeric(SE(res)), names(texts))))
}

estimate <- function(des) {
  by <- svyby(vars, by = ~province, design = des, FUN = svytotal, covmat = TRUE)
  out <- list()
  for (p in provinces) out[[p]] <- contrast(by, paste0(p, ":"))
  out[["VN"]] <- contrast(svytotal(vars, des), "")
  out
}

# the whole pipeline for one weight vector: every level of every province, then national
pipeline <- function(w, data) {
  groups <- c(split(seq_len(nrow(data)), data$province), list(VN = seq_len(nrow(data))))
  out <- c()
  for (g in names(groups)) {
    rows <- groups[[g]]
    x <- sapply(seq_len(K), function(j) {
      m <- data[[paste0("d", j)]][rows]
      sum(w[rows] * data[[paste0("n", j)]][rows]) / sum(w[rows] * m)
    })
    r <- 1 + 9 * (x - spec$goalposts[, 1]) / (spec$goalposts[, 2] - spec$goalposts[, 1])
    sub <- sapply(subs, function(s) {
      mean(r[spec$indicator_subdimension == s]) / k_of[[sub_dim[match(s, subs)]]]
    })
    dim <- sapply(dims, function(dd) sum(sub[sub_dim == dd]))
    vals <- c(x, sub, dim, sum(dim))
    names(vals) <- paste0(g, "|", c(ind, subs, dims, "PAPI"))
    out <- c(out, vals)
  }
  out
}

recomputed <- function(rep) {
  res <- withReplicates(rep, pipeline)
  est <- coef(res)
  se <- SE(res)
  out <- list()
  for (g in c(provinces, "VN")) {
    keys <- startsWith(names(est), paste0(g, "|"))
    codes <- sub("^[^|]*\\|", "", names(est)[keys])
    out[[g]] <- list(est = as.list(setNames(as.numeric(est[keys]), codes)),
                     se = as.list(setNames(as.numeric(se[keys]), codes)))
  }
  out
}

degf_of <- function(des) {
  out <- lapply(provinces, function(p) degf(subset(des, province == p)))
  names(out) <- provinces
  out[["VN"]] <- degf(des)
  out
}

des_w <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
des_u <- svydesign(ids = ~psu, strata = ~stratum, weights = ~one, data = d, nest = TRUE)
set.seed(20261121)
boot_w <- as.svrepdesign(des_w, type = "subbootstrap", replicates = 2000)
boot_u <- as.svrepdesign(des_u, type = "subbootstrap", replicates = 2000)

# Korn-Graubard intervals of a share indicator without missing values (svyciprop "beta")
kg <- function(des) {
  b <- svyby(~y_SC22_01, ~province, des, svyciprop, method = "beta", vartype = "ci")
  out <- lapply(seq_len(nrow(b)), function(i) list(lci = b$ci_l[i], uci = b$ci_u[i]))
  names(out) <- b$province
  out
}

golden <- list(
  call = paste(
    "svyby(~n1+..+nK+d1+..+dK, ~province, svydesign(ids=~psu, strata=~stratum,",
    "weights=~weight|~one, nest=TRUE), svytotal, covmat=TRUE) + svycontrast(nonlinear);",
    "bootstrap: as.svrepdesign(type='subbootstrap', replicates=2000), set.seed(20261121)"
  ),
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  df = degf_of(des_w),
  svyciprop_beta_SC22_01 = list(weighted = kg(des_w), unweighted = kg(des_u)),
  weighted = list(taylor = estimate(des_w), bootstrap = recomputed(boot_w),
                  bootstrap_linear = estimate(boot_w)),
  unweighted = list(taylor = estimate(des_u), bootstrap = recomputed(boot_u),
                    bootstrap_linear = estimate(boot_u))
)
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(dir, "golden.json"))
cat("wrote", file.path(dir, "golden.json"), "\n")
