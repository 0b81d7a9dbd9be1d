/**
 * Port mapping through a UPnP Internet Gateway Device (UPnP Device Architecture 1.1;
 * InternetGatewayDevice:1 and :2, WANIPConnection:1 and :2, WANPPPConnection:1), made safe against
 * a rogue device on the LAN. {@link io.natswarm.holepunch.portmap.upnp.UpnpMapper} is the entry
 * point; it blocks and runs on a thread of its own (a background executor of the node's), never on
 * the UDP event loop.
 *
 * <p>What a device can make the node do is bounded at every step: the SSDP reply is parsed strictly
 * from at most 2 KiB ({@link io.natswarm.holepunch.portmap.upnp.SsdpReply}); every URL must be
 * http:// to the IP address that answered the search ({@code LanUrls}); HTTP runs with a connect
 * timeout, a read timeout, a deadline per exchange, capped headers and bodies, no redirects and no
 * proxy ({@code LanHttp}); XML is parsed by the JDK's SAX parser with document type declarations
 * refused, external entities, external DTDs and XInclude off and secure processing on ({@code
 * HardenedXml}).
 *
 * <p>weupnp (org.bitlet:weupnp 0.1.4) is used only for its {@code NameValueHandler}, a SAX content
 * handler, under that parser ({@code SoapAnswer}). Its discovery ({@code GatewayDiscover}:
 * multicast to a fixed address on every interface, a reply line without a colon throws), its
 * loading of descriptions and SOAP calls ({@code GatewayDevice}: {@code
 * XMLReaderFactory.createXMLReader()} with external entities on, {@code URLConnection} following
 * redirects with unbounded bodies, argument values pasted unescaped into the request, lease always
 * 0) and its {@code GatewayDeviceHandler} (keeps only the last text chunk of an element, needs a
 * WANCommonInterfaceConfig service first) are not; RogueIgdTest shows weupnp's own loader reading a
 * local file through an external entity.
 */
package io.natswarm.holepunch.portmap.upnp;
