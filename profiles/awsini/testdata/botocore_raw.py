"""Print what botocore reads from INI files, as JSON, one result per file.

Usage: python3 botocore_raw.py FILE...

Each result is {"sections": {name: {key: value}}} as
botocore.configloader.raw_config_parse returns it (values raw: nested
blocks are not split), or {"error": kind, "line": N} when botocore refuses
the file. For a file botocore refuses only because it repeats a section or
a key, "merged" holds what configparser reads with strict=False: the
merge awsenv does instead.
"""
import configparser
import json
import sys

import botocore.configloader
import botocore.exceptions


def read(path):
    try:
        return {"sections": botocore.configloader.raw_config_parse(path, parse_subsections=False)}
    except botocore.exceptions.ConfigParseError:
        pass
    cp = configparser.RawConfigParser()
    try:
        cp.read([path], encoding="utf-8")
    except configparser.MissingSectionHeaderError as e:
        return {"error": "missing-section", "line": e.lineno}
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as e:
        loose = configparser.RawConfigParser(strict=False)
        try:
            loose.read([path], encoding="utf-8")
        except configparser.ParsingError as e2:
            return {"error": "parse", "line": e2.errors[0][0]}
        except configparser.MissingSectionHeaderError as e2:
            return {"error": "missing-section", "line": e2.lineno}
        return {"error": "duplicate", "line": e.lineno,
                "merged": {s: {k: loose.get(s, k) for k in loose.options(s)} for s in loose.sections()}}
    except configparser.ParsingError as e:
        return {"error": "parse", "line": e.errors[0][0]}
    except UnicodeDecodeError:
        return {"error": "encoding", "line": 0}
    return {"error": "botocore refused a file configparser reads", "line": 0}


print(json.dumps([read(p) for p in sys.argv[1:]]))
