import Flowcraft
