# SPDX-License-Identifier: LGPL-2.1-or-later
# reliability.mk: "make reliability" (included from the Makefile): the
# fault matrix and the load runs of tests/reliability/, which write
# docs/RELIABILITY.md. About 5 minutes; needs mount namespaces.

.PHONY: reliability
reliability: all
	B=$(B) sh tests/reliability/run.sh
