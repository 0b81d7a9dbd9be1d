package io.natswarm.node.bt;

import bt.net.pipeline.ChannelHandler;
import bt.net.pipeline.ChannelHandlerContext;
import bt.net.pipeline.ChannelPipeline;
import bt.protocol.Message;
import java.io.IOException;

/**
 * Bt's channel pipeline of one connection, marking the thread that decodes its bytes or polls its
 * messages with the connection's received blocks ({@link ConnectionPieceBuffers}). Everything else
 * is Bt's pipeline. The context handed to the channel handler points back here, so the handler's
 * {@code context.pipeline().decode()} and {@code context.fireDataReceived()} pass through.
 */
final class ConnectionPipeline implements ChannelPipeline {
  private final ChannelPipeline pipeline;
  private final ConnectionPieceBuffers.Blocks blocks = new ConnectionPieceBuffers.Blocks();

  ConnectionPipeline(ChannelPipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public Message decode() {
    Message m = pipeline.decode();
    if (m != null) {
      blocks.consuming();
    }
    return m;
  }

  @Override
  public boolean encode(Message message) {
    return pipeline.encode(message);
  }

  @Override
  public ChannelHandlerContext bindHandler(ChannelHandler handler) {
    ChannelHandlerContext context = pipeline.bindHandler(handler);
    return new ChannelHandlerContext() {
      @Override
      public ChannelPipeline pipeline() {
        return ConnectionPipeline.this;
      }

      @Override
      public boolean readFromChannel() throws IOException {
        return context.readFromChannel();
      }

      @Override
      public void fireChannelRegistered() {
        context.fireChannelRegistered();
      }

      @Override
      public void fireChannelUnregistered() {
        context.fireChannelUnregistered();
      }

      @Override
      public void fireChannelActive() {
        context.fireChannelActive();
      }

      @Override
      public void fireChannelInactive() {
        context.fireChannelInactive();
      }

      @Override
      public void fireDataReceived() {
        blocks.decoding(context::fireDataReceived);
      }
    };
  }
}
