"""Publishing: the catalog of built episodes, the podcast feed, the listening page, a server.

`catalog` reads what the exporter wrote into output/; `feed` and `page` render it; `site.publish`
writes both; `serve` serves output/ on this computer or the local network.
"""
