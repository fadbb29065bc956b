"""openstacksdk against PocketStack's Networking API: the calls a typical automation script makes,
and the exceptions it relies on. Run by tests/compat/network-openstack-cli.test.ts with OS_CLOUD set."""
import openstack
from openstack import exceptions

conn = openstack.connect()
net = conn.network.create_network(name="sdk-net")
assert net.mtu == 1450 and net.status == "ACTIVE", net
sub = conn.network.create_subnet(network_id=net.id, cidr="192.168.7.0/24", ip_version=4, name="sdk-sub")
assert sub.gateway_ip == "192.168.7.1"
port = conn.network.create_port(network_id=net.id, name="sdk-port")
assert port.fixed_ips[0]["ip_address"].startswith("192.168.7."), port.fixed_ips
port = conn.network.update_port(port, name="renamed")
assert port.name == "renamed" and port.revision_number == 2
assert [p.id for p in conn.network.ports(network_id=net.id, name="renamed")] == [port.id]
sg = conn.network.create_security_group(name="sdk-sg")
conn.network.create_security_group_rule(security_group_id=sg.id, direction="ingress", protocol="icmp")
try:
    conn.network.create_security_group_rule(security_group_id=sg.id, direction="ingress", protocol="icmp")
    raise SystemExit("duplicate rule accepted")
except exceptions.ConflictException:
    pass
try:
    conn.network.get_network("00000000-0000-0000-0000-000000000000")
    raise SystemExit("missing network found")
except exceptions.ResourceNotFound:
    pass
try:
    conn.network.create_subnet(network_id=net.id, cidr="192.168.7.128/25", ip_version=4)
    raise SystemExit("overlap accepted")
except exceptions.BadRequestException:
    pass
router = conn.network.create_router(name="sdk-router")
conn.network.add_interface_to_router(router, subnet_id=sub.id)
router = conn.network.get_router(router.id)
conn.network.set_tags(net, ["a", "b"])
assert sorted(conn.network.get_network(net.id).tags) == ["a", "b"]
page = list(conn.network.networks(limit=1))
assert len(page) >= 1
conn.network.remove_interface_from_router(router, subnet_id=sub.id)
conn.network.delete_router(router)
conn.network.delete_port(port)
conn.network.delete_subnet(sub)
conn.network.delete_network(net)
project = conn.identity.find_project("demo")
conn.network.update_quota(project.id, networks=1)
assert conn.network.get_quota(project.id).networks == 1
demo = openstack.connect(cloud="pocketstack-demo")
demo.network.create_network(name="demo-1")
try:
    demo.network.create_network(name="demo-2")
    raise SystemExit("quota not enforced")
except exceptions.ConflictException as e:
    assert "Quota exceeded" in str(e), e
print("sdk ok")
