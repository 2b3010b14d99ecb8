"""pytest configuration: register the shared fixture modules."""

pytest_plugins = [
    "tests.fixtures.tools",
    "tests.fixtures.netns",
    "tests.fixtures.loopfs",
    "tests.fixtures.apache",
    "tests.fixtures.pacemaker",
    "tests.fixtures.hblab",
    "tests.fixtures.drbdsim",
    "tests.fixtures.clusterlab",
]
