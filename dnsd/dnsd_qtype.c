/* SPDX-License-Identifier: MIT */
/* dnsd_qtype.c -- the query type classes the answer path counts (queries by qtype) */
#include "config.h"

#include "dnsd/dnsd_answer.h"

/* RR type numbers (RFC 1035, 2782, 3596, 8659). */
enum {
	QT_A = 1,
	QT_NS = 2,
	QT_CNAME = 5,
	QT_SOA = 6,
	QT_PTR = 12,
	QT_MX = 15,
	QT_TXT = 16,
	QT_AAAA = 28,
	QT_SRV = 33,
	QT_ANY = 255,
	QT_CAA = 257,
};

dnsd_qtype_class_t dnsd_qtype_class(uint16_t qtype)
{
	switch (qtype) {
	case QT_A:
		return DNSD_QTYPE_A;
	case QT_AAAA:
		return DNSD_QTYPE_AAAA;
	case QT_CNAME:
		return DNSD_QTYPE_CNAME;
	case QT_MX:
		return DNSD_QTYPE_MX;
	case QT_NS:
		return DNSD_QTYPE_NS;
	case QT_SOA:
		return DNSD_QTYPE_SOA;
	case QT_TXT:
		return DNSD_QTYPE_TXT;
	case QT_SRV:
		return DNSD_QTYPE_SRV;
	case QT_PTR:
		return DNSD_QTYPE_PTR;
	case QT_CAA:
		return DNSD_QTYPE_CAA;
	case QT_ANY:
		return DNSD_QTYPE_ANY;
	default:
		return DNSD_QTYPE_OTHER;
	}
}

const char *dnsd_qtype_class_name(dnsd_qtype_class_t c)
{
	static const char *const names[DNSD_QTYPE_CLASSES] = {
	    "A", "AAAA", "CNAME", "MX", "NS", "SOA", "TXT", "SRV", "PTR", "CAA", "ANY", "other"};
	return (unsigned)c < DNSD_QTYPE_CLASSES ? names[c] : "other";
}
