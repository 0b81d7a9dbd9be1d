package io.natswarm.holepunch.portmap.upnp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.ContentHandler;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;

/**
 * The only way this package parses XML from a device: the JDK's own SAX parser ({@link
 * SAXParserFactory#newDefaultInstance}, so nothing on the classpath can swap it) with a document
 * type declaration refused outright ({@code disallow-doctype-decl}: no DTD, hence no entity of any
 * kind, no billion laughs), external general and parameter entities and external DTD loading off,
 * XInclude off, secure processing on, {@code accessExternalDTD} and {@code accessExternalSchema}
 * empty, and an entity resolver that refuses anything, should one slip through. Input is a byte
 * array already capped in size by {@link LanHttp}; element depth is capped by the handlers.
 *
 * <p>OWASP XML External Entity Prevention Cheat Sheet, "JAXP DocumentBuilderFactory,
 * SAXParserFactory and DOM4J". Thread-safe.
 */
final class HardenedXml {
  private static final SAXParserFactory FACTORY = newFactory();

  private HardenedXml() {}

  /**
   * Parses {@code xml} with {@code handler}.
   *
   * @throws UpnpException {@link UpnpError#BAD_XML} for malformed or refused XML; the message never
   *     quotes the document
   */
  static void parse(byte[] xml, int length, ContentHandler handler) throws UpnpException {
    XMLReader reader;
    try {
      synchronized (FACTORY) {
        reader = FACTORY.newSAXParser().getXMLReader();
      }
      reader.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      reader.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalStateException("the JDK's SAX parser cannot be hardened", e);
    }
    reader.setEntityResolver(
        (publicId, systemId) -> {
          throw new SAXException("external entity refused");
        });
    reader.setErrorHandler(STRICT);
    reader.setContentHandler(handler);
    try {
      reader.parse(new InputSource(new ByteArrayInputStream(xml, 0, length)));
    } catch (SAXException e) {
      throw new UpnpException(UpnpError.BAD_XML, "the device sent bad XML: " + reason(e));
    } catch (IOException | RuntimeException e) {
      // The parser reads only the array: an IOException here is a decoding failure.
      throw new UpnpException(UpnpError.BAD_XML, "the device sent XML that cannot be decoded");
    }
  }

  private static String reason(SAXException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.contains("DOCTYPE")) {
      return "a document type declaration (DTD), refused";
    }
    if (e instanceof SAXParseException p) {
      return "malformed at line " + p.getLineNumber() + " column " + p.getColumnNumber();
    }
    // Our handlers' own refusals carry a short fixed text; the parser's never reach the log.
    return e.getException() == null && m.length() < 80 && m.startsWith("upnp: ")
        ? m.substring(6)
        : "malformed";
  }

  private static SAXParserFactory newFactory() {
    SAXParserFactory f = SAXParserFactory.newDefaultInstance();
    try {
      f.setNamespaceAware(true);
      f.setValidating(false);
      f.setXIncludeAware(false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalStateException("the JDK's SAX parser cannot be hardened", e);
    }
    return f;
  }

  private static final ErrorHandler STRICT =
      new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      };
}
