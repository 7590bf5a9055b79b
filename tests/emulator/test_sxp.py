# SPDX-License-Identifier: LGPL-2.1-or-later
"""The S-expression printer and parser against the reference's cases (§2)."""

import unittest

from emutest import fixture_json
from xenemu import sxp


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if 'long' in value:
            return sxp.Long(int(value['long']))
        if 'none' in value:
            return None
        if 'bool' in value:
            return value['bool']
        if 'float' in value:
            return float(value['float'])
    return value


class PrintTest(unittest.TestCase):
    def test_print_cases(self):
        for case in fixture_json('sxp', 'print.json')['cases']:
            with self.subTest(case=case):
                quote = case.get('mode', '4.1') == '4.1'
                self.assertEqual(sxp.show(decode(case['value']), quote), case['out'])

    def test_printed_text_parses_back(self):
        for case in fixture_json('sxp', 'print.json')['cases']:
            value = decode(case['value'])
            if isinstance(value, str) and value:
                with self.subTest(case=case):
                    self.assertEqual(sxp.parse(sxp.show(value)), [value])


class ParseTest(unittest.TestCase):
    def test_parse_cases(self):
        for case in fixture_json('sxp', 'parse.json')['cases']:
            with self.subTest(case=case):
                if 'error' in case:
                    with self.assertRaises(sxp.ParseError) as cm:
                        sxp.parse(case['in'])
                    if case['error'] != '*':
                        self.assertEqual(str(cm.exception), case['error'])
                else:
                    self.assertEqual(sxp.parse(case['in']), case['values'])

    def test_incremental(self):
        with self.assertRaises(sxp.NeedMore):
            sxp.parse_one('receive', 0, eof=False)
        self.assertEqual(sxp.parse_one('receive\n', 0, eof=False), ('receive', 7, True))
        with self.assertRaises(sxp.NeedMore):
            sxp.parse_one('(help', 0, eof=False)
        with self.assertRaises(sxp.NeedMore):
            sxp.parse_one("'abc", 0, eof=False)

    def test_depth_is_bounded(self):
        with self.assertRaises(sxp.ParseError):
            sxp.parse('(' * 1000 + ')' * 1000)
        value = sxp.parse('(' * 60 + ')' * 60)[0]
        for _ in range(59):
            value = value[0]
        self.assertEqual(value, [])


class Py2IntTest(unittest.TestCase):
    def test_int(self):
        for text, value in ((' 12 ', 12), ('+3', 3), ('-1', -1), ('\t0\n', 0), ('007', 7)):
            self.assertEqual(sxp.py2_int(text), value)

    def test_int_errors(self):
        for text, msg in (('yes', "invalid literal for int() with base 10: 'yes'"),
                          ('', "invalid literal for int() with base 10: ''"),
                          ('1_0', "invalid literal for int() with base 10: '1_0'"),
                          ('0x1f', "invalid literal for int() with base 10: '0x1f'"),
                          ('+', "invalid literal for int() with base 10: '+'")):
            with self.assertRaises(ValueError) as cm:
                sxp.py2_int(text)
            self.assertEqual(str(cm.exception), msg)


if __name__ == '__main__':
    unittest.main()
