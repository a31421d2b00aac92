local attached = nil

