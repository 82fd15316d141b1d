/* The container's side of its network namespace: what only a process inside it can do before exec. */
#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int net_loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int err = errno;
    close(s);
    return rc < 0 ? (errno = err, -1) : 0;
}

static void ipv4(struct sockaddr *sa, const uint8_t address[4]) {
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof *in);
    in->sin_family = AF_INET;
    memcpy(&in->sin_addr, address, 4);
}

int net_interface_up(const char *name, const uint8_t address[4], unsigned prefix, const uint8_t gateway[4], const char **step) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return *step = "socket", -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    int rc;
    ipv4(&ifr.ifr_addr, address);
    if ((rc = ioctl(s, SIOCSIFADDR, &ifr)) < 0) *step = "set interface address";
    if (rc == 0) {
        uint32_t mask = htonl(prefix == 0 ? 0 : ~0u << (32 - prefix));
        ipv4(&ifr.ifr_netmask, (const uint8_t *)&mask);
        if ((rc = ioctl(s, SIOCSIFNETMASK, &ifr)) < 0) *step = "set interface netmask";
    }
    if (rc == 0 && (rc = ioctl(s, SIOCGIFFLAGS, &ifr)) == 0) {
        ifr.ifr_flags |= IFF_UP;
        if ((rc = ioctl(s, SIOCSIFFLAGS, &ifr)) < 0) *step = "set interface up";
    } else if (rc < 0 && *step == NULL) {
        *step = "get interface flags";
    }
    if (rc == 0) {
        struct rtentry route;
        memset(&route, 0, sizeof route);
        static const uint8_t any[4] = {0, 0, 0, 0};
        ipv4(&route.rt_dst, any);
        ipv4(&route.rt_genmask, any);
        ipv4(&route.rt_gateway, gateway);
        route.rt_flags = RTF_UP | RTF_GATEWAY;
        route.rt_dev = ifr.ifr_name;
        if ((rc = ioctl(s, SIOCADDRT, &route)) < 0) *step = "add default route";
    }
    int err = errno;
    close(s);
    return rc < 0 ? (errno = err, -1) : 0;
}
